using System.CommandLine;
using Leora.Jobs.AspNetCore;

namespace Leora.Jobs.Server;

// pause, resume and pauses: hold a queue or a job type back from every worker and batch, and let it go again (issue 12).
internal static partial class Cli
{
    private static Command PauseCommand() => PauseVerb("pause",
        "Pause a queue or a job type: its pending jobs stay pending, unclaimed by every worker and batch, until it is resumed. Running jobs finish; enqueueing still works.",
        async (pauses, scope, name, ct) =>
        {
            var pause = await pauses.PauseAsync(scope, name, ct);
            Console.Out.WriteLine($"Paused {JobNames.PauseScope(scope)} {pause.Name} (since {pause.PausedAt.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC).");
        });

    private static Command ResumeCommand() => PauseVerb("resume", "Resume a paused queue or job type: its pending jobs are claimed again.",
        async (pauses, scope, name, ct) =>
            Console.Out.WriteLine(await pauses.ResumeAsync(scope, name, ct)
                ? $"Resumed {JobNames.PauseScope(scope)} {name}."
                : $"The {JobNames.PauseScope(scope)} {name} was not paused; nothing changed."));

    private static Command PausesCommand()
    {
        var json = JsonOption();
        var command = NewCommand("pauses", "List the paused queues and job types.");
        command.Options.Add(json);
        command.SetAction((parse, ct) => WithHostAsync(parse, StoreUse.Existing, async (services, _) =>
        {
            var all = await services.GetRequiredService<IJobPauses>().ListAsync(ct);
            if (parse.GetValue(json)) { WriteJson(new PauseListResponse([.. all.Select(PauseResponse.From)])); return ExitCodes.Ok; }
            WritePauses(all.Select(PauseResponse.From).ToList());
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary><c>pause</c> or <c>resume</c>, with a subcommand per scope: <c>queue NAME</c> and <c>type NAME</c>.</summary>
    private static Command PauseVerb(string verb, string description, Func<IJobPauses, JobPauseScope, string, CancellationToken, Task> act)
    {
        var command = NewCommand(verb, description);
        foreach (var scope in (JobPauseScope[])[JobPauseScope.Queue, JobPauseScope.Type])
        {
            var scopeName = JobNames.PauseScope(scope);
            var name = new Argument<string>("name") { Description = scope == JobPauseScope.Queue ? "The queue's name." : "The job type's name." };
            var sub = NewCommand(scopeName, $"{char.ToUpperInvariant(verb[0])}{verb[1..]} a {(scope == JobPauseScope.Queue ? "queue" : "job type")}.");
            sub.Arguments.Add(name);
            sub.SetAction((parse, ct) => WithHostAsync(parse, StoreUse.Existing, async (services, _) =>
            {
                try
                {
                    await act(services.GetRequiredService<IJobPauses>(), scope, parse.GetValue(name)!, ct);
                    return ExitCodes.Ok;
                }
                catch (UnknownJobTypeException ex)
                {
                    return Fail(ExitCodes.Usage, ex.Message);
                }
                catch (JobValidationException ex)
                {
                    return Fail(ExitCodes.Usage, ex.Field is null ? ex.Message : $"{ex.Field}: {ex.Message}");
                }
            }, ct));
            command.Subcommands.Add(sub);
        }
        return command;
    }

    private static void WritePauses(IReadOnlyList<PauseResponse> pauses)
    {
        if (pauses.Count == 0) { Console.Out.WriteLine("Nothing is paused."); return; }
        var table = new ConsoleTable("PAUSED", "NAME", "SINCE");
        foreach (var p in pauses) table.Add(p.Scope, p.Name, p.PausedAt);
        table.Write(Console.Out);
    }
}
