package org.epochal.cli;

import java.io.PrintWriter;
import org.epochal.BadInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The `epochal` command: train, diagnose, report, summary, evaluate (SPEC section 1). Wiring only: each
 * verb is a class that reads its arguments and calls the core. Exit codes: 0 done, 2 bad usage or bad
 * input (one message, no stack trace), 3 training diverged.
 */
@Command(name = "epochal", mixinStandardHelpOptions = true, version = "epochal 0.1.0",
        description = "Trains neural networks epoch by epoch on the CPU and explains every epoch.",
        subcommands = {TrainCommand.class, DiagnoseCommand.class, ReportCommand.class, SummaryCommand.class,
            EvaluateCommand.class})
public final class Epochal implements Runnable {
    public static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: train, diagnose,"
                + " report, summary or evaluate");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given output streams and returns the exit code (for tests too). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Epochal());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof BadInputException) {
                err.println("epochal: " + e.getMessage());
                err.flush();
                return BAD_INPUT;
            }
            err.println("epochal: internal error: " + e);
            e.printStackTrace(err);
            err.flush();
            return 1;
        });
        cl.setParameterExceptionHandler((e, args2) -> {
            err.println("epochal: " + e.getMessage());
            e.getCommandLine().usage(err);
            err.flush();
            return BAD_INPUT;
        });
        return cl.execute(args);
    }
}
