using System.CommandLine;
using Tempora.Bench;

// Progress goes to stderr; stdout carries only the final JSON line, so `| tail -1` or `>> results.jsonl` works.
return await new BenchCommand().Parse(args).InvokeAsync();
