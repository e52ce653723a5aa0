package resp

func commandCommands() []*Command {
	return nil
}
