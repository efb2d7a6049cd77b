import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { EvalQuery } from "../../src/eval/readQueriesFile.js";

/** ../shared/datasets beside the project checkout (see ../shared/datasets/README.md). */
export const DATASETS_DIR = resolve(process.env.LLAMADESK_DATASETS ?? resolve(process.cwd(), "../shared/datasets"));

export interface FaqPair {
  id: string;
  question: string;
  answer: string;
}

interface StackFaqFile {
  root: { qapair: { question: string; answer: string[] | string; rephr: string[] }[] };
}

/**
 * StackFAQ as the dataset README describes: every (question, answer) pair of a
 * thread is one FAQ entry `t<thread>-a<answer>`; every paraphrase is a query whose
 * relevant entries are all pairs of its thread.
 */
export async function loadStackFaq(dir = DATASETS_DIR): Promise<{ entries: FaqPair[]; queries: EvalQuery[] }> {
  const file = JSON.parse(await readDataset(dir, "stackfaq/stackExchange-FAQ.json")) as StackFaqFile;
  const entries: FaqPair[] = [];
  const queries: EvalQuery[] = [];
  file.root.qapair.forEach((thread, t) => {
    const ids = ([] as string[]).concat(thread.answer).map((answer, a) => {
      const id = `t${t}-a${a}`;
      entries.push({ id, question: thread.question, answer });
      return id;
    });
    for (const rephrase of thread.rephr) {
      const query = rephrase?.trim();
      if (query && query !== "*") queries.push({ query, relevant: ids });
    }
  });
  return { entries, queries };
}

/** Reads a dataset file, or says where the datasets were expected and how to point elsewhere. */
export async function readDataset(dir: string, path: string): Promise<string> {
  try {
    return await readFile(resolve(dir, path), "utf8");
  } catch (cause) {
    throw new Error(
      `Cannot read the dataset file ${resolve(dir, path)}: the public datasets are expected in ../shared/datasets ` +
        "beside the checkout; set LLAMADESK_DATASETS to their folder if they are elsewhere.",
      { cause },
    );
  }
}
