using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>Steps on the dashboard that several tests share.</summary>
internal static class DashboardPage
{
    public static async Task SignInAsync(IPage page, DashboardHost host, string key)
    {
        await page.GotoAsync(host.Dashboard.ToString());
        await Expect(page.Locator("#view-signin")).ToBeVisibleAsync();
        await page.FillAsync("#signin-key", key);
        await page.ClickAsync("#signin-form button[type=submit]");
        await Expect(page.Locator("#view-overview")).ToBeVisibleAsync();
    }

    /// <summary>Clicks the confirmation dialog's confirm button.</summary>
    public static async Task ConfirmAsync(IPage page)
    {
        await Expect(page.Locator("#confirm")).ToBeVisibleAsync();
        await page.ClickAsync("#confirm-yes");
        await Expect(page.Locator("#confirm")).ToBeHiddenAsync();
    }

    public static Task GoAsync(IPage page, DashboardHost host, string hash) =>
        page.GotoAsync(host.Dashboard + hash);
}
