package views

import "strconv"

// SectionChannels is the navigation section of the Channels settings page.
const SectionChannels = "channels"

// ChannelsPath is the Channels settings page.
const ChannelsPath = "/settings/channels"

// ChannelsPage lists the channels requests can be sent through, each with a test.
type ChannelsPage struct {
	Shell
	Channels []ChannelRow
}

// ChannelRow is one channel kind: configured or not, where its test goes, and the
// outcome of a test just sent.
type ChannelRow struct {
	Kind       string // slack, discord, email
	Name       string // Slack, Discord, Email
	Configured bool
	Target     string // where the test message goes, if the channel says
	Setup      string // the settings that turn the channel on
	Result     *ChannelResult
}

// ChannelResult is what the platform answered a test.
type ChannelResult struct {
	Success    bool
	StatusCode int
	Response   string
	Error      string
}

// Answer is the platform's status and answer on one line, or "" when it said nothing.
func (r ChannelResult) Answer() string {
	switch {
	case r.StatusCode == 0:
		return r.Response
	case r.Response == "":
		return strconv.Itoa(r.StatusCode)
	}
	return strconv.Itoa(r.StatusCode) + ": " + r.Response
}
