// What a request cost, for models whose list price we know. Only a display: the provider's bill is
// the truth, so unknown models show no cost rather than a guess.
import { lookupModel } from './contextWindow';

/** USD per 1M tokens. */
export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok?: number;
}

// OpenAI's standard-tier list prices. More specific entries (o1-mini, o3-pro, the first gpt-4o
// snapshot) exist so that the shorter prefix does not claim them with a wrong price.
const PRICES: Readonly<Record<string, Price>> = {
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10, cachedInputPerMTok: 0.125 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2, cachedInputPerMTok: 0.025 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4, cachedInputPerMTok: 0.005 },
  'gpt-5-pro': { inputPerMTok: 15, outputPerMTok: 120 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6, cachedInputPerMTok: 0.1 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4, cachedInputPerMTok: 0.025 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 },
  'gpt-4o-2024-05-13': { inputPerMTok: 5, outputPerMTok: 15 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 },
  o1: { inputPerMTok: 15, outputPerMTok: 60, cachedInputPerMTok: 7.5 },
  'o1-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4, cachedInputPerMTok: 0.55 },
  'o1-pro': { inputPerMTok: 150, outputPerMTok: 600 },
  o3: { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
  'o3-pro': { inputPerMTok: 20, outputPerMTok: 80 },
  'o3-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4, cachedInputPerMTok: 0.55 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4, cachedInputPerMTok: 0.275 },
  'gpt-4-turbo': { inputPerMTok: 10, outputPerMTok: 30 },
  'gpt-4': { inputPerMTok: 30, outputPerMTok: 60 },
  'gpt-3.5-turbo': { inputPerMTok: 0.5, outputPerMTok: 1.5 },
};

export function knownPrice(model: string): Price | undefined {
  return lookupModel(PRICES, model);
}

/**
 * Cost in USD. `cachedPromptTokens` (usage.prompt_tokens_details.cached_tokens) are part of
 * `promptTokens` and billed at the cached rate when the price has one.
 */
export function costUsd(price: Price, promptTokens: number, completionTokens: number, cachedPromptTokens = 0): number {
  const prompt = nonNegative(promptTokens);
  const cached = Math.min(nonNegative(cachedPromptTokens), prompt);
  const cachedRate = price.cachedInputPerMTok ?? price.inputPerMTok;
  return ((prompt - cached) * price.inputPerMTok + cached * cachedRate + nonNegative(completionTokens) * price.outputPerMTok) / 1_000_000;
}

function nonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * "$1.23" from a dollar up; below that two significant digits, at most four decimals ("$0.12",
 * "$0.012", "$0.0012"); "<$0.0001" for less, so a cheap request never reads as free.
 */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd) || usd <= 0) return '$0.00';
  if (usd < 0.0001) return '<$0.0001';
  if (usd < 1) {
    const decimals = Math.min(4, Math.max(2, 1 - Math.floor(Math.log10(usd))));
    // Rounding can carry into a shorter number (0.00996 -> "0.0100"): drop the zeros it leaves.
    const text = usd.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, '$1');
    return `$${text}`;
  }
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
