/**
 * Whether a message asks for a person rather than an answer: "talk to a human", "agent please",
 * "can I speak with someone from support". Product questions that merely mention agents or people
 * ("how do I add an agent to my team?") are not requests.
 */
export function detectHandoffRequest(text: string): boolean {
  const t = text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\p{L}\p{N}' ]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (t === "") return false;
  return PATTERNS.some((p) => p.test(t));
}

const PERSON =
  "(?:a |an |the |some |real |actual |live |human |your )*(?:human(?: being)?|person|people|agent|representative|rep|operator|somebody|someone|staff|support (?:team|staff|person|agent)|team member|customer (?:service|support)(?: agent| rep| representative)?|manager|supervisor)";

const PATTERNS: RegExp[] = [
  // "talk to a human", "can I speak with someone", "connect me to an agent", "transfer me to support staff"
  new RegExp(`\\b(?:talk|speak|chat|connect(?: me)?|transfer(?: me)?|put me through|get me through|escalate(?: this)?)(?: (?:directly|now|right now))? (?:to|with) ${PERSON}\\b`),
  // "I want a human", "I'd like a real person please" (at the end, so "I want an agent to see tickets" is a question)
  new RegExp(`\\b(?:want|need|like|prefer|get me|give me|request)(?: to (?:talk|speak|chat) (?:to|with))? ${PERSON}(?: please| pls| now| asap| instead| right now)*$`),
  // "agent please", "human!", "representative"
  new RegExp(`^(?:${PERSON})(?: please| pls| now| asap)*$`),
  new RegExp(`^(?:please |pls )(?:${PERSON})$`),
  // "is there a human", "are you a bot? I want someone real"
  /\b(?:is there|are there) (?:a |an |any )?(?:human|real person|person|agent)s?\b(?: i can| to)? ?(?:talk|speak|chat)?/,
  // French, German, Spanish, Portuguese: the most common phrasings
  /\b(?:parler|discuter) (?:a|avec) (?:un |une |quelqu'un|quelqu un)?(?:humain|personne|agent|conseiller|conseillere|quelqu'un|quelqu un)\b/,
  /\b(?:mit )?(?:einem |einer )?(?:menschen|mitarbeiter|mitarbeiterin|berater|beraterin) (?:sprechen|reden)\b/,
  /\b(?:hablar|chatear) con (?:un |una |alguien|algun )?(?:humano|persona|agente|asesor|alguien)\b/,
  /\b(?:falar) com (?:um |uma |alguem )?(?:humano|pessoa|atendente|agente|alguem)\b/,
];
