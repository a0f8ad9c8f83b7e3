package child

// Environment variables between the supervisor and its child.
const (
	EnvIPCFD    = "MEDUSA_LS_IPC_FD"    // fd of the IPC socket (Unix)
	EnvListenFD = "MEDUSA_LS_LISTEN_FD" // fd of the listening socket (Unix)
	EnvIPCAddr  = "MEDUSA_LS_IPC_ADDR"  // loopback address to dial for IPC (Windows)
	EnvIPCToken = "MEDUSA_LS_IPC_TOKEN" // token proving the dialer is our child (Windows)
	EnvChild    = "MEDUSA_LS_CHILD"     // set in children: "1"
)
