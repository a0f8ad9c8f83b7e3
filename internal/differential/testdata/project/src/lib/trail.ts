// What subscribers, jobs and steps did, in order, until a request to /diff/trail takes it.
const trail: unknown[] = []

export function record(entry: unknown) {
  trail.push(entry)
}

export function take() {
  return trail.splice(0, trail.length)
}
