using System.CommandLine;
using System.Globalization;
using Leora.Jobs.AspNetCore;

namespace Leora.Jobs.Server;

// schedules: list, get, create, update, enable, disable, trigger and delete recurring schedules (issue 12).
internal static partial class Cli
{
    private static Command SchedulesCommand()
    {
        var command = NewCommand("schedules", "Recurring schedules: list, get, create, update, enable, disable, trigger, delete.");
        command.Subcommands.Add(ScheduleListCommand());
        command.Subcommands.Add(ScheduleOneCommand("get", "Show one schedule with its next five runs and its last job.",
            (schedules, name, ct) => schedules.GetAsync(name, ct)));
        command.Subcommands.Add(ScheduleWriteCommand("create", "Create a schedule. Exit 4 when the name is taken."));
        command.Subcommands.Add(ScheduleWriteCommand("update", "Change a schedule: the options given replace those values, the rest stay."));
        command.Subcommands.Add(ScheduleOneCommand("enable", "Enable a schedule from its next tick after now.",
            (schedules, name, ct) => schedules.SetEnabledAsync(name, true, ct)));
        command.Subcommands.Add(ScheduleOneCommand("disable", "Disable a schedule: no tick is enqueued until it is enabled.",
            (schedules, name, ct) => schedules.SetEnabledAsync(name, false, ct)));
        command.Subcommands.Add(ScheduleTriggerCommand());
        command.Subcommands.Add(ScheduleDeleteCommand());
        return command;
    }

    private static Command ScheduleListCommand()
    {
        var json = JsonOption();
        var command = NewCommand("list", "List every schedule: its cron and zone, next run (in its zone and UTC), last job and whether it is enabled.");
        command.Options.Add(json);
        command.SetAction((parse, ct) => WithSchedulesAsync(parse, async schedules =>
        {
            var all = await schedules.ListAsync(ct);
            if (parse.GetValue(json)) { WriteJson(new ScheduleListResponse([.. all.Select(ScheduleResponse.From)])); return ExitCodes.Ok; }
            if (all.Count == 0) { Console.Out.WriteLine("No schedules."); return ExitCodes.Ok; }
            var table = new ConsoleTable("NAME", "CRON", "ZONE", "TYPE", "ENABLED", "NEXT RUN (ZONE)", "NEXT RUN (UTC)", "LAST JOB");
            foreach (var s in all)
            {
                var next = s.NextRuns.Count > 0 ? s.NextRuns[0] : (DateTimeOffset?)null;
                table.Add(s.Schedule.Name, s.Schedule.Cron, s.Schedule.TimeZone, s.Schedule.Type, s.Schedule.Enabled ? "yes" : "no",
                    next is { } n ? Local(n) : null, next?.ToUniversalTime(), LastJob(s));
            }
            table.Write(Console.Out);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>A verb on one schedule by name that answers with it: exit 3 when there is none.</summary>
    private static Command ScheduleOneCommand(string name, string description, Func<IJobSchedules, string, CancellationToken, Task<JobScheduleInfo?>> act)
    {
        var scheduleName = new Argument<string>("name") { Description = "The schedule's name." };
        var json = JsonOption();
        var command = NewCommand(name, description);
        command.Arguments.Add(scheduleName);
        command.Options.Add(json);
        command.SetAction((parse, ct) => WithSchedulesAsync(parse, async schedules =>
        {
            var target = parse.GetValue(scheduleName)!;
            if (await act(schedules, target, ct) is not { } info) return NoSuchSchedule(target);
            WriteSchedule(info, parse.GetValue(json));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ScheduleWriteCommand(string name, string description)
    {
        var create = name == "create";
        var scheduleName = new Argument<string>("name") { Description = "The schedule's name: 1–100 letters, digits, _ - . :" };
        var cron = new Option<string?>("--cron") { Description = "5 fields (minute hour day-of-month month day-of-week), 6 (seconds first), or @hourly, @daily, @weekly, @monthly, @yearly.", Required = create };
        var zone = new Option<string?>("--time-zone") { Description = "The IANA zone the cron expression is read in (default UTC), such as Europe/Berlin." };
        var type = new Option<string?>("--type") { Description = "The job type of each tick's job.", Required = create };
        var payload = new Option<string?>("--payload") { Description = "Each job's payload as JSON (default {})." };
        var queue = new Option<string?>("--queue") { Description = "The queue (default: the type's)." };
        var priority = new Option<int?>("--priority") { Description = "The priority (default: the type's)." };
        var maxAttempts = new Option<int?>("--max-attempts") { Description = "Attempts per job, 1–1000 (default: the type's)." };
        var enabled = new Option<bool?>("--enabled") { Description = "Whether ticks are enqueued (default true)." };
        var misfire = new Option<string?>("--misfire") { Description = "After downtime: latest (default), all or skip." };
        var misfireLimit = new Option<int?>("--misfire-limit") { Description = "The most missed ticks enqueued at once under --misfire all (default 10)." };
        var overlap = new Option<string?>("--overlap") { Description = "allow (default) or skip: no job while the previous tick's job is unfinished." };
        var json = JsonOption();
        var command = NewCommand(name, description);
        command.Arguments.Add(scheduleName);
        foreach (var o in (Option[])[cron, zone, type, payload, queue, priority, maxAttempts, enabled, misfire, misfireLimit, overlap, json]) command.Options.Add(o);
        command.SetAction((parse, ct) => WithSchedulesAsync(parse, async schedules =>
        {
            var target = parse.GetValue(scheduleName)!;
            JobSchedule schedule;
            if (create)
            {
                schedule = new JobSchedule { Name = target, Cron = parse.GetValue(cron)!, Type = parse.GetValue(type)! };
            }
            else
            {
                if (await schedules.GetAsync(target, ct) is not { } existing) return NoSuchSchedule(target);
                schedule = existing.Schedule;
                if (parse.GetValue(cron) is { } c) schedule = schedule with { Cron = c };
                if (parse.GetValue(type) is { } t) schedule = schedule with { Type = t };
            }
            if (parse.GetValue(zone) is { } z) schedule = schedule with { TimeZone = z };
            if (parse.GetValue(payload) is { } p) schedule = schedule with { Payload = p };
            if (parse.GetValue(queue) is { } q) schedule = schedule with { Queue = q };
            if (parse.GetValue(priority) is { } pr) schedule = schedule with { Priority = pr };
            if (parse.GetValue(maxAttempts) is { } ma) schedule = schedule with { MaxAttempts = ma };
            if (parse.GetValue(enabled) is { } e) schedule = schedule with { Enabled = e };
            if (parse.GetValue(misfireLimit) is { } ml) schedule = schedule with { MisfireLimit = ml };
            if (parse.GetValue(misfire) is { } m)
            {
                if (!JobSchedules.TryParseMisfire(m, out var policy)) return Fail(ExitCodes.Usage, $"--misfire '{m}' is not one of latest, all, skip.");
                schedule = schedule with { Misfire = policy };
            }
            if (parse.GetValue(overlap) is { } o)
            {
                if (!JobSchedules.TryParseOverlap(o, out var policy)) return Fail(ExitCodes.Usage, $"--overlap '{o}' is not one of allow, skip.");
                schedule = schedule with { Overlap = policy };
            }
            JobScheduleInfo? written;
            try
            {
                written = create ? await schedules.CreateAsync(schedule, ct) : await schedules.UpdateAsync(schedule, ct);
            }
            catch (Exception ex) when (ex is JobValidationException or UnknownJobTypeException)
            {
                return Fail(ExitCodes.Usage, ex.Message);
            }
            if (written is null)
                return create ? Fail(ExitCodes.Conflict, $"a schedule named '{target}' already exists; change it with 'leora-jobs schedules update'.") : NoSuchSchedule(target);
            WriteSchedule(written, parse.GetValue(json));
            return ExitCodes.Ok;
        }, ct, create ? StoreUse.Migrate : StoreUse.Existing));
        return command;
    }

    private static Command ScheduleTriggerCommand()
    {
        var scheduleName = new Argument<string>("name") { Description = "The schedule's name." };
        var json = JsonOption();
        var command = NewCommand("trigger", "Enqueue the schedule's job now, outside its ticks.");
        command.Arguments.Add(scheduleName);
        command.Options.Add(json);
        command.SetAction((parse, ct) => WithSchedulesAsync(parse, async schedules =>
        {
            var target = parse.GetValue(scheduleName)!;
            JobInfo? job;
            try
            {
                job = await schedules.TriggerAsync(target, ct);
            }
            catch (UnknownJobTypeException ex)
            {
                return Fail(ExitCodes.Conflict, $"schedule '{target}' names a job type this build does not know: {ex.Message}");
            }
            if (job is null) return NoSuchSchedule(target);
            if (parse.GetValue(json)) WriteJson(Response(job));
            else Console.Out.WriteLine($"Enqueued job {job.Id} ({job.Type}, queue {job.Queue}) for schedule {target}.");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ScheduleDeleteCommand()
    {
        var scheduleName = new Argument<string>("name") { Description = "The schedule's name." };
        var command = NewCommand("delete", "Delete a schedule (the jobs it enqueued stay).");
        command.Arguments.Add(scheduleName);
        command.SetAction((parse, ct) => WithSchedulesAsync(parse, async schedules =>
        {
            var target = parse.GetValue(scheduleName)!;
            if (!await schedules.DeleteAsync(target, ct)) return NoSuchSchedule(target);
            Console.Out.WriteLine($"Deleted schedule {target}.");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the schedules of a host built from the command line. Only <c>create</c> may create
    /// and migrate the database (as <c>enqueue</c> does); every other verb finds it as it is (<see cref="StoreUse.Existing"/>).
    /// </summary>
    private static Task<int> WithSchedulesAsync(ParseResult parse, Func<IJobSchedules, Task<int>> action, CancellationToken ct, StoreUse use = StoreUse.Existing) =>
        WithHostAsync(parse, use, (services, _) => action(services.GetRequiredService<IJobSchedules>()), ct);

    private static void WriteSchedule(JobScheduleInfo info, bool asJson)
    {
        if (asJson) { WriteJson(ScheduleResponse.From(info)); return; }
        var s = info.Schedule;
        var table = new ConsoleTable("FIELD", "VALUE");
        table.Add("name", s.Name).Add("cron", s.Cron).Add("time zone", s.TimeZone).Add("type", s.Type).Add("payload", s.Payload)
            .Add("queue", s.Queue).Add("priority", s.Priority).Add("max attempts", s.MaxAttempts).Add("enabled", s.Enabled ? "yes" : "no")
            .Add("misfire", JobSchedules.MisfireName(s.Misfire) + (s.Misfire == MisfirePolicy.RunAll ? $" (up to {s.MisfireLimit})" : ""))
            .Add("overlap", JobSchedules.OverlapName(s.Overlap)).Add("last job", LastJob(info));
        for (var i = 0; i < info.NextRuns.Count; i++)
            table.Add(i == 0 ? "next runs" : "", $"{Local(info.NextRuns[i])}  =  {info.NextRuns[i].ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC");
        table.Write(Console.Out);
    }

    private static string Local(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    private static string? LastJob(JobScheduleInfo info) =>
        info.LastJobId is { } id ? $"{id} ({info.LastJobStatus?.ToName() ?? "deleted"})" : null;

    private static int NoSuchSchedule(string name) => Fail(ExitCodes.NotFound, $"there is no schedule '{name}'.");
}
