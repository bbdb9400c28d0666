// EFRuntime: placeholder until its first file lands.
