package resp

func setCommands() []*Command {
	return nil
}
