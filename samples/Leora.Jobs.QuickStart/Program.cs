using Leora.Jobs.QuickStart;

var path = Path.Combine(Path.GetTempPath(), $"leora-quickstart-{Environment.ProcessId}.db");
var job = await QuickStart.RunAsync(path);
Console.WriteLine($"job {job.Id} ({job.Type}) is {job.Status}; result: {job.Result}");
