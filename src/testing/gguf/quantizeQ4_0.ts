/**
 * ggml's reference Q4_0 quantiser (quantize_row_q4_0_ref), in double precision for speed (Math.fround
 * halves it): per 32 values, d = max / -8 (the value of largest magnitude), q = min(15, x/d + 8.5).
 */
export function quantizeQ4_0(src: Float32Array, count: number, out: Buffer): void {
  for (let b = 0, o = 0; b < count; b += 32, o += 18) {
    let amax = 0;
    let max = 0;
    for (let j = b; j < b + 32; j++) {
      const v = src[j]!;
      const a = Math.abs(v);
      if (a > amax) {
        amax = a;
        max = v;
      }
    }
    const d = max / -8;
    const id = d !== 0 ? 1 / d : 0;
    const half = toHalf(d);
    out[o] = half & 0xff;
    out[o + 1] = half >>> 8;
    for (let j = 0; j < 16; j++) {
      const q0 = Math.min(15, (src[b + j]! * id + 8.5) | 0);
      const q1 = Math.min(15, (src[b + 16 + j]! * id + 8.5) | 0);
      out[o + 2 + j] = q0 | (q1 << 4);
    }
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of a number, rounding to nearest even. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  let mantissa = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  if (exponent >= 0x1f) return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - exponent;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (exponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // a carry into the exponent is correct rounding
  return sign | half;
}
