package resp

func clientCommands() []*Command {
	return nil
}
