/**
 * Replaces personal data in training text: email addresses, phone numbers and user
 * mentions. Fine-tuning data outlives the chat it came from, and a model can repeat what
 * it was trained on, so this is on by default in `llamadesk export-finetune`.
 */
export function redactPersonalData(text: string): string {
  return (
    text
      .replace(/[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu, "[email]")
      // +44 20 7946 0958, (555) 123-4567, 555.123.4567, 5551234567: 7+ digits written with separators,
      // or 10-13 in a row. Error codes like 80070005 and dates like 2024-01-15 are left alone.
      .replace(/(?<![\p{L}\p{N}])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,4}(?![\p{L}\p{N}])/gu, (match) => {
        const digits = match.replace(/\D/g, "").length;
        const written = /[\s.()+-]/.test(match);
        if (/^\d{4}-\d{2}-\d{2}$/.test(match)) return match;
        return (written && digits >= 7) || (digits >= 10 && digits <= 13) ? "[phone]" : match;
      })
      // @alice, @alice.smith, <@U123ABC> leftovers; not "@" inside words (emails are gone already).
      .replace(/(?<![\p{L}\p{N}])@[\p{L}\p{N}_.-]*[\p{L}\p{N}_]/gu, "@user")
  );
}
