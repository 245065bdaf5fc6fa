namespace Leora.Crm.Imports;

/// <summary>
/// One record of an import file: the row number a spreadsheet shows for its first line (blank lines and the header
/// counted), its fields, and, for a record the reader could not make sense of (an unterminated quote), why; such a
/// row is rejected with that reason and the rows after it are read as usual.
/// </summary>
internal readonly record struct ImportRow(long Row, string[] Fields, string? Problem = null);
