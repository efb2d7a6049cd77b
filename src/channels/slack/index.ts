// llamadesk/slack: the Slack channel. Kept out of the main entry so that only bots that use Slack load @slack/bolt.
export { SlackChannel, type SlackChannelOptions } from "./SlackChannel.js";
export {
  parseSlackConfig,
  resolveSlackSettings,
  DEFAULT_SLACK_API_URL,
  SLACK_CHANNEL_MODES,
  type SlackConfig,
  type SlackCredentials,
  type SlackSettings,
  type SlackChannelMode,
} from "./slackConfig.js";
export { answerBlocks, ACTIONS as SLACK_ACTIONS, type AnswerBlocksOptions, type SlackMessage } from "./answerBlocks.js";
export { toMrkdwn, escapeMrkdwn } from "./toMrkdwn.js";
export { fromSlackText } from "./fromSlackText.js";
export { slackConversationId, replyTargetOf, type SlackReplyTarget } from "./slackConversationId.js";
export { createSlackLogger } from "./slackLogger.js";
