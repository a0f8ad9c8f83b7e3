type Options = { greeting?: string; times?: number }

// A plain-class module service with options, as medusa-config lists it.
export default class DiffModuleService {
  protected options_: Options

  constructor(_container: Record<string, unknown>, options: Options = {}) {
    this.options_ = options
  }

  greet(name: string) {
    return `${this.options_.greeting ?? "hello"} ${name}`.repeat(this.options_.times ?? 1)
  }

  options() {
    return this.options_
  }
}
