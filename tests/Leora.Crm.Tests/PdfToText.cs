using System.Diagnostics;

namespace Leora.Crm.Tests;

/// <summary>
/// The text of a PDF as poppler's <c>pdftotext -layout</c> reads it (poppler-utils, installed by build.sh): what a person
/// copying from the PDF gets, laid out by position, so a value drawn over its neighbour shows up run into it.
/// </summary>
public static class PdfToText
{
    public static async Task<string> ReadAsync(byte[] pdf)
    {
        var path = Path.Combine(Path.GetTempPath(), $"leora-test-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            var start = new ProcessStartInfo("pdftotext", ["-layout", "-enc", "UTF-8", path, "-"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                StandardOutputEncoding = System.Text.Encoding.UTF8,
            };
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException("pdftotext is missing: install poppler-utils (./build.sh test installs it).", ex);
            }
            using (process)
            {
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
                Assert.True(process.ExitCode == 0, $"pdftotext failed: {await stderr}");
                return await stdout;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
