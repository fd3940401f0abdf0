target "default" {
  context = BAKE_CMD_CONTEXT
  args = {
    CMD_CONTEXT    = BAKE_CMD_CONTEXT
    LOCAL_PLATFORM = BAKE_LOCAL_PLATFORM
  }
  platforms = [BAKE_LOCAL_PLATFORM]
}
