package resp

func configCommands() []*Command {
	return nil
}
