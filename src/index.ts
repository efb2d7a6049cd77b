export type { Connector, Passage, PullOptions, SourceDoc, SourceIssue, SourceKind, SourceLocation } from "./types.js";
export { LlamadeskError, isLlamadeskError, type ErrorCode } from "./errors.js";
export { makeSourceDoc, contentHashOf, deriveDocId, slugify } from "./sourceDoc.js";
export { readEnv, DEFAULT_INDEX_DIR, SAMPLE_SOURCES_DIR, type EnvConfig } from "./config.js";
export type { Embedder, EmbedOptions } from "./knowledge/Embedder.js";
export { UseLiteEmbedder, type UseLiteEmbedderOptions } from "./knowledge/UseLiteEmbedder.js";
export { createEmbedder, type EmbedderConfig, type EmbedderKind } from "./knowledge/createEmbedder.js";
export { EmbedderPool, type EmbedderPoolOptions } from "./knowledge/pool/EmbedderPool.js";
export { useLitePool } from "./knowledge/pool/useLitePool.js";
export type { WorkerEmbedderSpec } from "./knowledge/pool/messages.js";
export type { VectorIndex, VectorItem, VectorHit } from "./knowledge/VectorIndex.js";
export { HnswVectorIndex, type HnswVectorIndexOptions } from "./knowledge/HnswVectorIndex.js";
export { ExactVectorIndex } from "./knowledge/ExactVectorIndex.js";
export { Bm25Index, type Bm25IndexOptions } from "./knowledge/Bm25Index.js";
export { tokenize } from "./knowledge/tokenize.js";
export { chunkDoc, estimateTokens, type Chunk, type ChunkOptions } from "./knowledge/chunkDoc.js";
export type {
  KnowledgeStore,
  KnowledgeChanges,
  KnowledgeChange,
  KnowledgeCounts,
  DocUpsert,
  StoredDoc,
  PassageText,
  ChunkHit,
  ChunkScores,
  EmbedderIdentity,
  AcquireWriterOptions,
  WriterLock,
  WriterHolder,
} from "./knowledge/KnowledgeStore.js";
export { openKnowledgeStore, type OpenKnowledgeStoreOptions } from "./knowledge/openKnowledgeStore.js";
export { LocalKnowledgeStore, type LocalKnowledgeStoreOptions } from "./knowledge/LocalKnowledgeStore.js";
export { readIndexManifest } from "./knowledge/KnowledgeIndex.js";
export type { IndexManifest } from "./knowledge/manifest.js";
export { ingest, planIngest, type IngestOptions, type IngestPlan, type IngestSummary, type IngestProgress } from "./knowledge/ingest.js";
// Writers of a local index directory hold this lock (a KnowledgeStore's acquireWriter takes it for you).
export { acquireWriterLock, describeHolder, WRITER_LOCK_FILE, type WriterLockHolder, type WriterLockOptions } from "./knowledge/writerLock.js";
export { HybridRetriever, type HybridRetrieverOptions, type RetrieveOptions, type RetrievalMode } from "./retrieval/HybridRetriever.js";
export { toLangChainRetriever } from "./retrieval/LangChainRetriever.js";
// Imports no node-llama-cpp: LlamaChatModel (which does) has its own entry point, llamadesk/llama.
export {
  LlamadeskChatModel,
  toLangChainChatModel,
  type LlamadeskChatModelCallOptions,
  type LlamadeskChatModelDefaults,
  type LlamadeskChatModelInput,
  type LlamadeskResponseMetadata,
} from "./model/LangChainChatModel.js";
export { evaluate, type EvalMetrics, type EvalMiss } from "./eval/evaluate.js";
export { readQueriesFile, type EvalQuery } from "./eval/readQueriesFile.js";
export type {
  ConversationStore,
  Conversation,
  ConversationStatus,
  NewTurn,
  Turn,
  TurnRole,
  TurnOutcome,
  TurnSource,
  HistoryOptions,
  FeedbackInput,
  FeedbackCounts,
  Vote,
} from "./store/ConversationStore.js";
export { MemoryConversationStore, type MemoryConversationStoreOptions } from "./store/MemoryConversationStore.js";
export { SqliteConversationStore, type SqliteConversationStoreOptions } from "./store/SqliteConversationStore.js";
export type {
  ActivityQuery,
  ActivityPeriod,
  ConversationActivity,
  FailedQuestion,
  FailedQuestionsQuery,
  SourceUse,
  SpanQuery,
} from "./store/ConversationActivity.js";
export { buildInsightsReport, type InsightsOptions } from "./insights/buildInsightsReport.js";
export { clusterQuestions, DEFAULT_GAP_THRESHOLD } from "./insights/clusterQuestions.js";
export type { InsightsReport, InsightNumbers, CoverageGap, ContentPerformance, EntryPerformance, EntryRef, ReportPeriod } from "./insights/InsightsReport.js";
export { pullModel, type PullModelOptions, type PullModelResult } from "./model/pullModel.js";
export { DEFAULT_MODEL_URI, DEFAULT_MODELS_DIR } from "./config.js";
export { createBot, type Bot, type BotOptions, type AskInput } from "./bot.js";
export type { BotEvent, BotEventType, AnswerTiming, AnsweredMode, HandoffReason } from "./BotEvent.js";
export { createLocalBot, type LocalBotOptions } from "./presets/createLocalBot.js";
export { loadConfigFile, CONFIG_FILE_NAME, type LlamadeskConfig, type LoadedConfig } from "./configFile.js";
export {
  resolvePolicy,
  DEFAULT_POLICY,
  ANSWER_MODES,
  type AnswerPolicy,
  type AnswerPolicyInput,
  type AnswerMode,
  type AnswerGeneration,
  type CondenseMode,
} from "./pipeline/AnswerPolicy.js";
export type { AnswerSource } from "./pipeline/AnswerSource.js";
export { assessAnswerability, COVERAGE_WEIGHT, type Answerability, type AbstainReason } from "./pipeline/assessAnswerability.js";
export { createPipelineSteps, type PipelineSteps, type PipelineStepsOptions, type Retriever } from "./pipeline/createPipelineSteps.js";
export { buildAnswerMessages, type AnswerMessages, type ChunkLookup } from "./pipeline/buildAnswerMessages.js";
export { cite, type CitedAnswer } from "./pipeline/cite.js";
export { condenseQuestion, looksLikeFollowUp, type Condensed, type CondenseInput } from "./pipeline/condenseQuestion.js";
export { detectHandoffRequest } from "./pipeline/detectHandoffRequest.js";
export { loadPrompts, DEFAULT_PROMPTS_DIR, PROMPT_VARIABLES, type Prompts, type PromptName } from "./prompts/loadPrompts.js";
export { PromptTemplate } from "./prompts/PromptTemplate.js";
export type { ChatModel, ChatMessage, ChatStream, GenerateOptions, GenerationResult, StopReason } from "./model/ChatModel.js";
export type { Channel } from "./channels/Channel.js";
export { InProcessLeadership, type Leadership, type Lease, type AcquireLeadOptions } from "./channels/Leadership.js";
// The Slack channel (which loads @slack/bolt) has its own entry point, llamadesk/slack; its option types are here.
export type { SlackChannelOptions, SlackConfig, SlackChannelMode } from "./channels/slack/index.js";
export { renderAnswer, type AnswerView, type RenderAnswerOptions } from "./channels/renderAnswer.js";
export { sourceLinkOf, sourcesToShow, type SourceLink } from "./channels/sourceLink.js";
export type { ChatThread, ChatMessage as ChatThreadMessage, ChatRole } from "./chat/ChatThread.js";
export { chatThreadToSourceDoc } from "./chat/chatThreadToSourceDoc.js";
export { readEnvVariable } from "./config.js";
// Resolved-thread mining and the review queue (see README, "Mining resolved threads and the review queue").
export { mineThreads, type MineThreadsOptions, type MiningSummary, type MiningProgress, type MiningOutcome } from "./mining/mineThreads.js";
export { detectResolution, type Resolution, type ResolutionSignal } from "./mining/detectResolution.js";
export { extractCandidate, type QaDraft } from "./mining/extractCandidate.js";
export { parseMiningConfig, resolveMiningRules, miningConfigSchema, DEFAULT_SIMILARITY_THRESHOLD, type MiningConfig, type MiningRules } from "./mining/MiningConfig.js";
export { loadMiningPrompt } from "./mining/loadMiningPrompt.js";
export {
  finalAnswer,
  finalQuestion,
  CANDIDATE_STATUSES,
  type ReviewQueue,
  type Candidate,
  type CandidateStatus,
  type CandidateEdits,
  type CandidateSource,
  type MergeTarget,
  type NewCandidate,
} from "./mining/ReviewQueue.js";
export { SqliteReviewQueue, type SqliteReviewQueueOptions } from "./mining/SqliteReviewQueue.js";
export { MemoryReviewQueue } from "./mining/MemoryReviewQueue.js";
export { defaultReviewQueuePath, resolveReviewQueuePath } from "./mining/reviewQueuePath.js";
export type { HandoffTicketStore, HandoffTicket, NewHandoffTicket, WebhookStatus } from "./store/HandoffTicketStore.js";
export { MemoryHandoffTicketStore, type MemoryHandoffTicketStoreOptions } from "./store/MemoryHandoffTicketStore.js";
export { SqliteHandoffTicketStore, type SqliteHandoffTicketStoreOptions } from "./store/SqliteHandoffTicketStore.js";
// The stores in PostgreSQL, for bots on several machines sharing one database; pg is loaded only when openPostgres is called.
export { openPostgres, type OpenPostgresOptions } from "./postgres/openPostgres.js";
export type { Postgres } from "./postgres/Postgres.js";
export { DEFAULT_KNOWLEDGE } from "./postgres/knowledgeName.js";
export { PostgresConversationStore, type PostgresConversationStoreOptions } from "./postgres/PostgresConversationStore.js";
export { PostgresReviewQueue, type PostgresReviewQueueOptions } from "./postgres/PostgresReviewQueue.js";
export { PostgresHandoffTicketStore, type PostgresHandoffTicketStoreOptions } from "./postgres/PostgresHandoffTicketStore.js";
export { PostgresLeadership, type PostgresLeadershipOptions } from "./postgres/PostgresLeadership.js";
// Models and embeddings on an OpenAI-compatible inference server (vLLM, llama.cpp's llama-server, Ollama, hosted APIs).
export { OpenAiChatModel, type OpenAiChatModelOptions } from "./model/OpenAiChatModel.js";
export type { OpenAiEndpointOptions } from "./model/OpenAiEndpoint.js";
export { OpenAiEmbedder, type OpenAiEmbedderOptions } from "./knowledge/OpenAiEmbedder.js";
export { createChatModel, chatModelChoiceOf, type ChatModelChoice, type ChatModelFlags } from "./model/createChatModel.js";
