/** An author as GitHub's GraphQL API gives it (null for a deleted account, "ghost"). */
export interface GqlActor {
  login: string;
  __typename?: string;
}

/** `CommentAuthorAssociation`: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, FIRST_TIME_CONTRIBUTOR, FIRST_TIMER, MANNEQUIN, NONE. */
export type AuthorAssociation = string;

export interface GqlReply {
  id: string;
  bodyText: string;
  createdAt: string;
  url?: string;
  author: GqlActor | null;
  authorAssociation: AuthorAssociation;
}

export interface GqlComment extends GqlReply {
  isAnswer: boolean;
  replies: { nodes: GqlReply[] };
}

export interface GqlPageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface GqlDiscussion {
  id: string;
  number: number;
  title: string;
  url: string;
  bodyText: string;
  createdAt: string;
  updatedAt: string;
  isAnswered: boolean | null;
  author: GqlActor | null;
  authorAssociation: AuthorAssociation;
  category: { name: string; slug: string };
  labels: { nodes: { name: string }[] } | null;
  comments: { pageInfo: GqlPageInfo; nodes: GqlComment[] };
}

const REPLY_FIELDS = "id bodyText createdAt url author { login __typename } authorAssociation";
const COMMENT_FIELDS = `${REPLY_FIELDS} isAnswer replies(first: 100) { nodes { ${REPLY_FIELDS} } }`;

/** A page of a repository's discussions, most recently updated first, each with its first 100 comments. */
export const DISCUSSIONS_QUERY = `query Discussions($owner: String!, $name: String!, $after: String) {
  rateLimit { remaining resetAt cost }
  repository(owner: $owner, name: $name) {
    discussions(first: 25, after: $after, orderBy: { field: UPDATED_AT, direction: DESC }) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id number title url bodyText createdAt updatedAt isAnswered
        author { login __typename } authorAssociation
        category { name slug }
        labels(first: 20) { nodes { name } }
        comments(first: 100) { pageInfo { hasNextPage endCursor } nodes { ${COMMENT_FIELDS} } }
      }
    }
  }
}`;

/** More comments of one discussion. */
export const COMMENTS_QUERY = `query DiscussionComments($id: ID!, $after: String) {
  rateLimit { remaining resetAt cost }
  node(id: $id) {
    ... on Discussion {
      comments(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${COMMENT_FIELDS} } }
    }
  }
}`;

export interface DiscussionsData {
  repository: { discussions: { pageInfo: GqlPageInfo; nodes: GqlDiscussion[] } } | null;
}

export interface CommentsData {
  node: { comments: { pageInfo: GqlPageInfo; nodes: GqlComment[] } } | null;
}
