// Makes a request fit the model's context window with room left for the answer. What goes first is
// what matters least: old turns, then the tail of the selected code. The system prompt and the
// question are never cut; when they alone do not fit, the caller is told instead.

export interface FitInput {
  system: string;
  /** Oldest first, not including the new question. `extraTokens`: what is sent besides the text (images). */
  history: { role: 'user' | 'assistant'; content: string; extraTokens?: number }[];
  /** The new user message without the code. */
  question: string;
  /** What the question sends besides its text (images); never cut, like the question. */
  questionExtraTokens?: number;
  /** The selection, may be huge. */
  code?: string;
  contextWindow: number;
  /** Tokens kept free for the reply (see `answerReserve`). */
  reserveForAnswer: number;
  count: (text: string) => number;
}

export interface FitResult {
  history: FitInput['history'];
  code: string | undefined;
  /** Exchanges (a user message and the answers after it) dropped from the start of the history. */
  droppedTurns: number;
  truncatedCode: { keptLines: number; totalLines: number } | undefined;
  fits: boolean;
  /** Estimated prompt size of what is kept, framing included. */
  promptTokens: number;
}

/** Chat framing per message (OpenAI: 3 plus the role) and for priming the reply. */
const MESSAGE_OVERHEAD = 4;
const REPLY_PRIMING = 3;
/** The file name, line range and fences around the code in the question message. */
export const CODE_FRAMING = 32;
/** What every request costs besides its texts: the system and question messages' framing and the reply's priming. */
export const FIXED_OVERHEAD = REPLY_PRIMING + 2 * MESSAGE_OVERHEAD;

/**
 * The usual reply reserve: the configured `maxTokens` when set, else a quarter of the window, at
 * most 8192 so a huge window is not left mostly empty.
 */
export function answerReserve(contextWindow: number, maxTokens?: number): number {
  if (maxTokens !== undefined && maxTokens > 0) return Math.min(maxTokens, contextWindow);
  return Math.min(8192, Math.floor(contextWindow / 4));
}

export function truncationMarker(moreLines: number): string {
  return `… (truncated: ${moreLines} more lines not sent)`;
}

export function fitContext(input: FitInput): FitResult {
  const { count } = input;
  const budget = input.contextWindow - input.reserveForAnswer;
  const base = REPLY_PRIMING + 2 * MESSAGE_OVERHEAD + count(input.system) + count(input.question) + (input.questionExtraTokens ?? 0);
  const codeCost = (code: string): number => CODE_FRAMING + count(code);
  const turnCost = input.history.map((m) => MESSAGE_OVERHEAD + count(m.content) + (m.extraTokens ?? 0));

  const fullCode = input.code === undefined ? 0 : codeCost(input.code);
  let historyTokens = turnCost.reduce((a, b) => a + b, 0);

  if (base > budget) {
    // Nothing can be sent that the model would answer in full: say so rather than cut the question.
    return {
      history: [],
      code: undefined,
      droppedTurns: countExchanges(input.history),
      truncatedCode: input.code === undefined ? undefined : { keptLines: 0, totalLines: lineStarts(input.code).length },
      fits: false,
      promptTokens: base,
    };
  }

  // Drop whole exchanges from the start: a user message with the answers that followed it, so the
  // model never sees an answer without its question.
  let start = 0;
  let dropped = 0;
  while (start < input.history.length && base + historyTokens + fullCode > budget) {
    let end = start + 1;
    while (end < input.history.length && input.history[end].role !== 'user') end++;
    for (let i = start; i < end; i++) historyTokens -= turnCost[i];
    start = end;
    dropped++;
  }
  const history = input.history.slice(start);

  if (input.code === undefined || base + historyTokens + fullCode <= budget) {
    return {
      history,
      code: input.code,
      droppedTurns: dropped,
      truncatedCode: undefined,
      fits: true,
      promptTokens: base + historyTokens + fullCode,
    };
  }

  // The history is gone and the code still does not fit: keep as many leading lines as fit, found
  // by binary search so a huge selection costs O(log lines) counts rather than one per line.
  const code = input.code;
  const starts = lineStarts(code);
  const total = starts.length;
  const room = budget - base;
  const headOf = (kept: number): string => {
    let end = kept < total ? starts[kept] - 1 : code.length; // before the newline ending line `kept`
    if (end > 0 && code.charCodeAt(end - 1) === 13) end--;
    const marker = truncationMarker(total - kept);
    return kept === 0 ? marker : `${code.slice(0, end)}\n${marker}`;
  };
  let lo = 0;
  let hi = total - 1;
  if (codeCost(headOf(0)) > room) {
    return { history, code: undefined, droppedTurns: dropped, truncatedCode: { keptLines: 0, totalLines: total }, fits: true, promptTokens: base };
  }
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (codeCost(headOf(mid)) <= room) lo = mid;
    else hi = mid - 1;
  }
  const kept = headOf(lo);
  return {
    history,
    code: kept,
    droppedTurns: dropped,
    truncatedCode: { keptLines: lo, totalLines: total },
    fits: true,
    promptTokens: base + codeCost(kept),
  };
}

function countExchanges(history: FitInput['history']): number {
  let n = 0;
  for (let i = 0; i < history.length; i++) if (i === 0 || history[i].role === 'user') n++;
  return n;
}

/** Offsets where each line starts; a final newline does not start another line. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1 && i < text.length - 1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
