import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"

const helloStep = createStep("fixture-hello-step", async (input: { name: string }) => {
  return new StepResponse(`hello ${input.name} v1`)
})

export const helloWorkflow = createWorkflow("fixture-hello", (input: { name: string }) => {
  const msg = helloStep(input)
  return new WorkflowResponse(msg)
})

export default helloWorkflow
