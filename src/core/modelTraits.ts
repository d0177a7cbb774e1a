// What a model name tells about the parameters it takes.

/** OpenAI reasoning models reject `temperature` and `max_tokens`; they take `max_completion_tokens`. */
export function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)(?![\w.-]*chat)/i.test(model.replace(/^openai\//, ''));
}
