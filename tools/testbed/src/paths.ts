export { toolPath, systemToolPath, toolsDir, toolsBinDir } from '@laas/local';
export type { BuiltTool, SystemTool } from '@laas/local';
