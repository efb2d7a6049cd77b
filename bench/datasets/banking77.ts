import { parse } from "csv-parse/sync";
import { DATASETS_DIR, readDataset } from "./stackfaq.js";

export interface LabelledText {
  text: string;
  category: string;
}

/** banking77 `train.csv` (past tickets) and `test.csv` (queries), columns text,category. */
export async function loadBanking77(dir = DATASETS_DIR): Promise<{ train: LabelledText[]; test: LabelledText[] }> {
  const read = async (name: string) =>
    parse(await readDataset(dir, `banking77/${name}`), { columns: true, skip_empty_lines: true }) as LabelledText[];
  return { train: await read("train.csv"), test: await read("test.csv") };
}
