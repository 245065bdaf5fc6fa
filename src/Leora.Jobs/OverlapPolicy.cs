namespace Leora.Jobs;

/// <summary>What a schedule does at a tick while the job of its previous tick (or trigger) has not finished.</summary>
public enum OverlapPolicy
{
    /// <summary>Enqueue the tick's job anyway (the default; stored as <c>allow</c>).</summary>
    Allow,
    /// <summary>Skip the tick while the previous job is pending or processing (stored as <c>skip</c>).</summary>
    Skip,
}
