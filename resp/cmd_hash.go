package resp

func hashCommands() []*Command {
	return nil
}
