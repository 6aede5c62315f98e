package org.servicejobs.bench;

import org.pipservices3.commons.commands.Command;
import org.pipservices3.commons.commands.CommandSet;
import org.pipservices3.commons.commands.ICommandable;
import org.pipservices3.commons.validate.ObjectSchema;

import java.util.Map;

/** One command, <code>noop</code>, that does nothing and answers <code>{"ok": true}</code>. */
public class NoopController implements ICommandable {
    private final CommandSet _commands = new CommandSet();

    public NoopController() {
        _commands.addCommand(new Command("noop", new ObjectSchema().allowUndefined(true),
                (correlationId, args) -> Map.of("ok", true)));
    }

    @Override
    public CommandSet getCommandSet() {
        return _commands;
    }
}
