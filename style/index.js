import 'uplot/dist/uPlot.min.css';
import './base.css';
import './charts.css';
import './notebook-servers.css';
import './panel.css';
import './pipelines.css';
import './widgets.css';
