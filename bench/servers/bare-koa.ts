// What the bench's bare Koa endpoints (ceiling.ts, verify-ceiling.ts) share: a JSON body read with no parser, and the
// contract's error shape.
import type Koa from 'koa';

export async function readJson(ctx: Koa.Context): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export const refuse = (ctx: Koa.Context, status: number, code: string) => {
  ctx.status = status;
  ctx.body = { error: { code } };
};
