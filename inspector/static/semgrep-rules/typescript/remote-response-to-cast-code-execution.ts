import axios from "axios";

export async function loadHandler(url: string): Promise<void> {
  const res = await axios.get<{ cookie: string }>(url);
  // ruleid: remote-response-to-cast-code-execution
  const handler = new (Function as any)("require", res.data.cookie);
  handler(require);
}

export function globalEval(url: string): void {
  fetch(url).then((r: Response) => r.text()).then((body: string) => {
    // ruleid: remote-response-to-cast-code-execution
    (globalThis as any).eval(body);
  });
}

export async function constructorCast(url: string): Promise<void> {
  const { data } = await axios.post<string>(url, {});
  // ruleid: remote-response-to-cast-code-execution
  new (Function.constructor as FunctionConstructor)("require", data)(require);
}

export async function parseOnly(url: string): Promise<unknown> {
  const res = await axios.get<string>(url);
  // ok: remote-response-to-cast-code-execution
  return JSON.parse(res.data as string);
}

export function localTemplate(src: string): unknown {
  // ok: remote-response-to-cast-code-execution
  return new (Function as any)("data", src);
}
