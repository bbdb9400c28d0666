// EFOneDNN: placeholder until its first file lands.
