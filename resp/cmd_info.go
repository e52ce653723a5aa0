package resp

func infoCommands() []*Command {
	return nil
}
