/** Alignment of the tensor data section and of each tensor in it; also written as `general.alignment`. */
export const ALIGNMENT = 32;

/** GGUF metadata value types (gguf.h). */
export const T = { U8: 0, I8: 1, U16: 2, I16: 3, U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9, U64: 10, I64: 11, F64: 12 } as const;
export type ScalarType = Exclude<(typeof T)[keyof typeof T], typeof T.ARRAY>;
export type Kv = { key: string; type: ScalarType; value: unknown } | { key: string; type: typeof T.ARRAY; itemType: ScalarType; value: unknown[] };

/** ggml tensor types (ggml.h) that the writer uses. */
export const GGML_F32 = 0;
export const GGML_F16 = 1;
export const GGML_Q4_0 = 2;

/** What the header records about one tensor. */
export interface GgufTensorInfo {
  name: string;
  /** ggml order: dims[0] is the contiguous one. */
  dims: number[];
  ggmlType: number;
  /** Relative to the start of the tensor data section. */
  offset: number;
}

export function byteSize(ggmlType: number, elements: number): number {
  if (ggmlType === GGML_F32) return elements * 4;
  if (ggmlType === GGML_F16) return elements * 2;
  return (elements / 32) * 18; // Q4_0: f16 scale + 16 bytes of nibbles per 32 values
}

export function alignUp(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

/** Encodes a GGUF v3 header (metadata and tensor infos), padded to `ALIGNMENT`. */
export function encodeHeader(kvs: Kv[], tensors: GgufTensorInfo[]): Buffer {
  const w = new ByteWriter();
  w.raw(Buffer.from("GGUF", "latin1"));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kvs.length);
  for (const kv of kvs) {
    w.string(kv.key);
    w.u32(kv.type);
    if (kv.type === T.ARRAY) {
      w.u32(kv.itemType);
      w.u64(kv.value.length);
      for (const item of kv.value) w.scalar(kv.itemType, item);
    } else {
      w.scalar(kv.type, kv.value);
    }
  }
  for (const tensor of tensors) {
    w.string(tensor.name);
    w.u32(tensor.dims.length);
    for (const dim of tensor.dims) w.u64(dim);
    w.u32(tensor.ggmlType);
    w.u64(tensor.offset);
  }
  w.raw(Buffer.alloc(alignUp(w.length) - w.length));
  return w.finish();
}

/** A growable little-endian buffer for the GGUF header. */
class ByteWriter {
  private buffer = Buffer.alloc(1 << 20);
  length = 0;

  private reserve(n: number): number {
    if (this.length + n > this.buffer.length) {
      const bigger = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + n));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  raw(bytes: Buffer): void {
    bytes.copy(this.buffer, this.reserve(bytes.length));
  }
  u32(n: number): void {
    this.buffer.writeUInt32LE(n, this.reserve(4));
  }
  u64(n: number | bigint): void {
    this.buffer.writeBigUInt64LE(BigInt(n), this.reserve(8));
  }
  string(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.raw(bytes);
  }
  scalar(type: ScalarType, v: unknown): void {
    const b = this.buffer;
    switch (type) {
      case T.U8: b.writeUInt8(Number(v), this.reserve(1)); return;
      case T.I8: b.writeInt8(Number(v), this.reserve(1)); return;
      case T.U16: b.writeUInt16LE(Number(v), this.reserve(2)); return;
      case T.I16: b.writeInt16LE(Number(v), this.reserve(2)); return;
      case T.U32: b.writeUInt32LE(Number(v), this.reserve(4)); return;
      case T.I32: b.writeInt32LE(Number(v), this.reserve(4)); return;
      case T.F32: b.writeFloatLE(Number(v), this.reserve(4)); return;
      case T.BOOL: b.writeUInt8(v ? 1 : 0, this.reserve(1)); return;
      case T.STRING: this.string(String(v)); return;
      case T.U64: this.u64(BigInt(v as number | bigint)); return;
      case T.I64: this.buffer.writeBigInt64LE(BigInt(v as number | bigint), this.reserve(8)); return;
      case T.F64: b.writeDoubleLE(Number(v), this.reserve(8)); return;
    }
  }
  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}
