// The `.efa` archive (stub: to be written).
