namespace Leora.Jobs.ScaleOut.Worker;

/// <summary>The scale-out tests' job: just a number.</summary>
public sealed record ScaleArgs(int N) : IJobArgs
{
    public static string Kind => "scaleout";
}
