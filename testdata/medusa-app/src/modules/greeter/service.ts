class GreeterModuleService {
  greet(name: string): string {
    return `greetings ${name} v1`
  }
}

export default GreeterModuleService
