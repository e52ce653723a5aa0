package resp

func dumpCommands() []*Command {
	return nil
}
