import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { Modules } from "@medusajs/framework/utils"

// Emits what the body lists: { emit: [message | [messages]], group?: id, release?: bool }.
export const POST = async (req: MedusaRequest<any>, res: MedusaResponse) => {
  const bus: any = req.scope.resolve(Modules.EVENT_BUS)
  const { emit = [], group, release } = req.body
  for (const m of emit) {
    const withGroup = (x: any) => (group ? { ...x, metadata: { eventGroupId: group } } : x)
    await bus.emit(Array.isArray(m) ? m.map(withGroup) : withGroup(m))
  }
  if (group && release) await bus.releaseGroupedEvents(group)
  if (group && release === false) await bus.clearGroupedEvents(group)
  res.json({ emitted: emit.length })
}
