type Options = { greeting?: string; times?: number }

// A plain-class module service with options, as medusa-config lists it, and a value its
// loader registered.
export default class DiffModuleService {
  protected options_: Options
  protected prefix_: string

  constructor(container: Record<string, any>, options: Options = {}) {
    this.options_ = options
    this.prefix_ = container.diffPrefix
  }

  greet(name: string) {
    return `${this.options_.greeting ?? "hello"} ${name}`.repeat(this.options_.times ?? 1)
  }

  options() {
    const { greeting, times } = this.options_
    return { greeting, times, prefix: this.prefix_ }
  }

  optionKeys() {
    return Object.keys(this.options_)
  }
}
