package resp

func bitCommands() []*Command {
	return nil
}
