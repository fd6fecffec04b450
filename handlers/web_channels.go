package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/agentgate/agentgate/views"
)

// webChannels is the Channels settings page.
func (s *Server) webChannels(c echo.Context) error {
	return s.channelsView(c, "", nil)
}

// webTestChannel sends a channel's test message and shows the page with the answer.
func (s *Server) webTestChannel(c echo.Context) error {
	res, err := s.testChannel(c.Request().Context(), c.Param("type"))
	if err != nil {
		return err
	}
	return s.channelsView(c, res.Channel, &views.ChannelResult{Success: res.Success, StatusCode: res.StatusCode, Response: res.Response, Error: res.Error})
}

// channelsView renders the page, with result beside the channel tested.
func (s *Server) channelsView(c echo.Context, tested string, result *views.ChannelResult) error {
	p := views.ChannelsPage{Shell: s.shell(c, views.SectionChannels, "Channels")}
	for _, ch := range testableChannels {
		row := views.ChannelRow{Kind: string(ch.Kind), Name: ch.Name, Setup: ch.Setup}
		if t, ok := s.cfg.ChannelTesters[ch.Kind]; ok {
			row.Configured, row.Target = true, channelTarget(t)
		}
		if row.Kind == tested {
			row.Result = result
		}
		p.Channels = append(p.Channels, row)
	}
	return s.render(c, http.StatusOK, views.Channels(p), views.ChannelsRegion(p))
}
