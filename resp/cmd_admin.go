package resp

func adminCommands() []*Command {
	return nil
}
