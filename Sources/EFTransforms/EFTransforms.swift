// EFTransforms: placeholder until its first file lands.
