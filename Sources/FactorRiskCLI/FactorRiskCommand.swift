import ArgumentParser

/// The `factor-risk` command: every job of the service is a subcommand of this one binary.
@main
struct FactorRiskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "factor-risk",
        abstract: "Risk of a factoring portfolio: limits, concentration, funding availability.",
        discussion: """
            Without DATABASE_URL, factor-risk keeps its own PostgreSQL cluster under --state-dir \
            (default ./.factor-risk), starting it for the length of a command when it is not running.
            """,
        subcommands: [DatabaseCommand.self, MigrateCommand.self, ImportCommand.self, SeedCommand.self, TenantCommand.self, RecalcCommand.self, ReportCommand.self, ServeCommand.self, KeyCommand.self, DiffCommand.self, WhatIfCommand.self, DemoCommand.self]
    )
}
