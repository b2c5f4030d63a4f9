pub fn run(_a: &crate::cli::CockpitArgs) -> color_eyre::Result<std::process::ExitCode> {
    Ok(std::process::ExitCode::SUCCESS)
}
