namespace Leora.Jobs.ScaleOut.Tests;

/// <summary>The worker processes' job type, declared here by its kind (the string is the contract, not the CLR type).</summary>
public sealed record ScaleArgs(int N) : IJobArgs
{
    public static string Kind => "scaleout";
}
