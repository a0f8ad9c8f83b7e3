import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { workflows } from "../../../../workflows/diff"
import { take } from "../../../../lib/trail"

// Runs the workflow named in the path with the body as input.
export const POST = async (req: MedusaRequest<any>, res: MedusaResponse) => {
  const wf = workflows[req.params.name]
  if (!wf) return res.status(404).json({ message: `no workflow ${req.params.name}` })
  const { result, errors, transaction } = await wf(req.scope).run({ input: req.body, throwOnError: false })
  res.json({
    result,
    state: transaction?.getState?.(),
    errors: (errors ?? []).map((e: any) => ({ action: e.action, handlerType: e.handlerType, message: e.error?.message })),
    trail: take(),
  })
}
