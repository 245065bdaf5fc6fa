using System.Diagnostics;

namespace Leora.Jobs.TestSupport;

/// <summary>Waits for a condition with a timeout, re-checking often: for state in another process or a database, where no in-process signal exists.</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        T last = await read();
        while (!done(last))
        {
            if (sw.Elapsed > timeout) throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; last value: {last}");
            await Task.Delay(25);
            last = await read();
        }
        return last;
    }

    public static Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        WaitAsync(condition, static b => b, timeout, what);

    /// <summary>Awaits <paramref name="task"/> or fails after <paramref name="timeout"/>.</summary>
    public static async Task<T> WithTimeout<T>(this Task<T> task, TimeSpan timeout, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(timeout)) != task) throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
        return await task;
    }

    public static async Task WithTimeout(this Task task, TimeSpan timeout, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(timeout)) != task) throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
        await task;
    }
}
