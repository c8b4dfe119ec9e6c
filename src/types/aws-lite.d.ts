// @aws-lite/dynamodb ships no types; the client is used through src/store/dynamodb.ts only.
declare module '@aws-lite/dynamodb' {
  const plugin: unknown;
  export default plugin;
}

declare module '@aws-lite/ssm' {
  const plugin: unknown;
  export default plugin;
}
